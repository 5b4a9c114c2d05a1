import SparkDiagnostics

/// The shared state of one decoding pass: where findings go.
final class DecodingContext {
    var diagnostics = DiagnosticBag()
    /// Values chosen for keys the topology left out, in the order they were read.
    var defaults: [AppliedDefault] = []
    /// Every mapping read so far; each reports its unread keys when decoding ends.
    private var readers: [MappingReader] = []

    func open(_ reader: MappingReader) { readers.append(reader) }

    /// Reports what every mapping left unread, in the order the mappings were opened.
    func finishReaders() {
        for reader in readers { reader.finish() }
        readers = []
    }

    func error(_ message: String, at location: SourceLocation, path: SpecPath, help: String? = nil, code: String? = nil) {
        diagnostics.append(.error(message, at: path, location: location, help: help, code: code))
    }
}
