import Rendering

extension OutputArguments {
    /// A command's result: its JSON record on stdout, or its sentence on stderr unless --quiet.
    func result(json record: @autoclosure () -> [UInt8], text: @autoclosure () -> String) {
        if json {
            OutputStream.write(record())
        } else if !quiet {
            printError(text())
        }
    }
}
