/// De-facto uses of ports that the IANA registry names differently or not at all.
/// Shown as "commonly used by", never as the assignment; each fact names where it comes from.
public struct CommonUse: Sendable, Equatable {
    public let port: UInt16
    /// nil when the software uses both TCP and UDP, or the protocol does not matter.
    public let transport: String?
    public let use: String
    public let source: String
}

public enum CommonUses {
    public static func uses(forPort port: UInt16) -> [CommonUse] { table.filter { $0.port == port } }

    public static let table: [CommonUse] = [
        CommonUse(port: 1313, transport: "tcp", use: "Hugo development server", source: "Hugo docs: hugo server, --port default 1313"),
        CommonUse(port: 3000, transport: "tcp", use: "Grafana; Ruby on Rails and Node.js/Express development servers",
                  source: "Grafana docs: http_port default 3000; Rails guides: bin/rails server listens on 3000"),
        CommonUse(port: 4001, transport: "tcp", use: "magic-wormhole transit relay", source: "magic-wormhole docs: transit relay tcp:...:4001"),
        CommonUse(port: 4200, transport: "tcp", use: "Angular CLI development server", source: "Angular CLI docs: ng serve --port default 4200"),
        CommonUse(port: 5000, transport: "tcp", use: "Flask development server; Docker registry",
                  source: "Flask docs: flask run default port 5000; Docker docs: registry listens on 5000"),
        CommonUse(port: 5173, transport: "tcp", use: "Vite development server", source: "Vite docs: server.port default 5173"),
        CommonUse(port: 5201, transport: nil, use: "iperf3 server", source: "iperf3(1): -p, --port, default 5201"),
        CommonUse(port: 5601, transport: "tcp", use: "Kibana", source: "Elastic docs: server.port default 5601"),
        CommonUse(port: 6006, transport: "tcp", use: "TensorBoard", source: "TensorBoard docs: --port default 6006"),
        CommonUse(port: 6443, transport: "tcp", use: "Kubernetes API server", source: "Kubernetes docs: Ports and Protocols"),
        CommonUse(port: 8000, transport: "tcp", use: "Python http.server; Django development server",
                  source: "Python docs: python -m http.server default port 8000; Django docs: runserver default 8000"),
        CommonUse(port: 8080, transport: "tcp", use: "HTTP alternate: Tomcat, Jenkins, development proxies",
                  source: "Apache Tomcat docs: HTTP connector port 8080; Jenkins docs: --httpPort default 8080"),
        CommonUse(port: 8443, transport: "tcp", use: "HTTPS alternate: Tomcat, admin consoles", source: "Apache Tomcat docs: SSL connector example port 8443"),
        CommonUse(port: 8888, transport: "tcp", use: "Jupyter Notebook / JupyterLab", source: "Jupyter docs: ServerApp.port default 8888"),
        CommonUse(port: 9000, transport: "tcp", use: "PHP-FPM FastCGI; MinIO S3 API",
                  source: "PHP docs: php-fpm www.conf listen = 127.0.0.1:9000; MinIO docs: API port 9000"),
        CommonUse(port: 9009, transport: "tcp", use: "croc relay (9009-9013)", source: "croc README: relay ports 9009-9013"),
        CommonUse(port: 9090, transport: "tcp", use: "Prometheus server", source: "Prometheus docs: --web.listen-address default :9090"),
        CommonUse(port: 9100, transport: "tcp", use: "Prometheus node_exporter (IANA: printer jetdirect)",
                  source: "Prometheus node_exporter README: default port 9100"),
        CommonUse(port: 9200, transport: "tcp", use: "Elasticsearch HTTP API", source: "Elastic docs: http.port default 9200-9300"),
        CommonUse(port: 10250, transport: "tcp", use: "Kubernetes kubelet API", source: "Kubernetes docs: Ports and Protocols"),
        CommonUse(port: 11434, transport: "tcp", use: "Ollama API", source: "Ollama docs: OLLAMA_HOST default 127.0.0.1:11434"),
        CommonUse(port: 19132, transport: "udp", use: "Minecraft Bedrock Edition server", source: "Minecraft Wiki: server.properties server-port=19132"),
        CommonUse(port: 25565, transport: "tcp", use: "Minecraft Java Edition server", source: "Minecraft Wiki: server.properties server-port=25565"),
        CommonUse(port: 41641, transport: "udp", use: "Tailscale (WireGuard over UDP)", source: "Tailscale docs: tailscaled --port default 41641"),
        CommonUse(port: 51820, transport: "udp", use: "WireGuard", source: "WireGuard quick start and wg-quick(8) examples: ListenPort = 51820"),
    ]
}
