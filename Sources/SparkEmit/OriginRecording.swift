/// Whether emitters record where each block of their output comes from.
///
/// Off by default: `build`, `lint` and `diff` never pay for origins, and the files written are
/// the same bytes either way (origins live beside the contents, never in them). `why` and
/// `review` turn it on around one compilation:
/// `OriginRecording.$isOn.withValue(true) { Compilation.run(path: file) }`.
public enum OriginRecording {
    @TaskLocal public static var isOn = false
}

extension Artifact {
    /// The artifact with the blocks `mark` finds in its contents. `mark` runs only while
    /// origins are recorded, so an emitter's marker call costs a build nothing.
    func marked(_ mark: (inout OriginMarks) -> Void) -> Artifact {
        guard OriginRecording.isOn else { return self }
        var marks = OriginMarks(contents)
        mark(&marks)
        return adding(marks.blocks)
    }

    func adding(_ blocks: [OriginBlock]) -> Artifact {
        var copy = self
        copy.origins += blocks
        return copy
    }
}
