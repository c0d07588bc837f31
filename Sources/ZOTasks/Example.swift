/// One labelled example of a task: a class among candidates, or (generation tasks) reference answers.
public struct Example: Sendable, Hashable {
    /// Named text fields the prompt template refers to (`{sentence}`, `{premise}`, …).
    public var fields: [String: String]
    /// Index of the correct answer in the candidates (`candidates` if set, else the task's fixed ones);
    /// 0 in a generation task.
    public var label: Int
    /// Per-example answer candidates (multiple choice); nil when the task's fixed candidates apply.
    public var candidates: [String]?
    /// Free-form reference answers of a generation task (`ClassificationTask.generation`), any of
    /// which is right; the first is the one trained on. Nil in a classification task.
    public var answers: [String]?
    /// Where the example came from (`train.jsonl line 12`), used in error messages; nil if made in code.
    public var origin: String?

    public init(fields: [String: String], label: Int, candidates: [String]? = nil, origin: String? = nil) {
        self.fields = fields
        self.label = label
        self.candidates = candidates
        self.origin = origin
    }

    /// An example of a generation task: its prompt fields and reference answers.
    public init(fields: [String: String], answers: [String], origin: String? = nil) {
        self.init(fields: fields, label: 0, origin: origin)
        self.answers = answers
    }

    /// `origin`, or a stand-in for examples built in code.
    var place: String { origin ?? "an example without origin" }
}
