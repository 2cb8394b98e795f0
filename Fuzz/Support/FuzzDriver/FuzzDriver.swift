#if canImport(Glibc)
import Glibc
#endif

public typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                                 _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                                 _ target: FuzzTarget) -> CInt

/// Hands the process to libFuzzer with `target` as the function it calls for each input. A
/// harness's main.swift calls this; SwiftPM's own `main` for executables then stays in place,
/// which `-parse-as-library` with `LLVMFuzzerTestOneInput` would break.
public func runFuzzer(_ target: FuzzTarget) -> Never {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, target))
}
