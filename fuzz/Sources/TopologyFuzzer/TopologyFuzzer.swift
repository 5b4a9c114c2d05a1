import SparkGenKit

/// libFuzzer's entry point: any bytes go through the whole pipeline, in memory. A crash, a
/// sanitizer report or a hang here is a bug: spark-gen must answer every input with findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let compilation = Compilation.run(bytes: bytes, file: "fuzz.yaml")
    // Rendering the findings exercises the reporter's source quoting and redaction too.
    _ = TextReporter().render(compilation.diagnostics, sourceLines: compilation.sourceLines)
    return 0
}
