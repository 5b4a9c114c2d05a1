import SparkDiagnostics

/// The shared state of one decoding pass: where findings go.
final class DecodingContext {
    var diagnostics = DiagnosticBag()
    /// Values chosen for keys the topology left out, in the order they were read.
    var defaults: [AppliedDefault] = []
    /// Mappings opened and not yet finished: each decoder finishes its reader when it returns
    /// (`defer { map.finish() }`), so this is zero when decoding ends.
    private(set) var openReaders = 0

    func opened() { openReaders += 1 }
    func closed() { openReaders -= 1 }

    /// Records an error; `id` is required so every finding can be filtered and explained.
    func error(_ id: DiagnosticID, _ message: String, at location: SourceLocation, path: SpecPath, help: String? = nil) {
        diagnostics.append(.error(id, message, at: path, location: location, help: help))
    }
}
