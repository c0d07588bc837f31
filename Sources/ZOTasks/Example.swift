/// One labelled example of a classification task.
public struct Example: Sendable, Hashable {
    /// Named text fields the prompt template refers to (`{sentence}`, `{premise}`, …).
    public var fields: [String: String]
    /// Index of the correct answer in the candidates (`candidates` if set, else the task's fixed ones).
    public var label: Int
    /// Per-example answer candidates (multiple choice); nil when the task's fixed candidates apply.
    public var candidates: [String]?
    /// Where the example came from (`train.jsonl line 12`), used in error messages; nil if made in code.
    public var origin: String?

    public init(fields: [String: String], label: Int, candidates: [String]? = nil, origin: String? = nil) {
        self.fields = fields
        self.label = label
        self.candidates = candidates
        self.origin = origin
    }

    /// `origin`, or a stand-in for examples built in code.
    var place: String { origin ?? "an example without origin" }
}
