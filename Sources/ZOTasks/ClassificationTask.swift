/// A classification task in the MeZO style: the prompt is rendered from a template, each candidate
/// string is appended to it verbatim, and the model's score of each candidate decides the class.
public struct ClassificationTask: Sendable {
    public let name: String
    public let template: PromptTemplate
    /// Candidates appended after the prompt, exactly as scored (leading spaces matter to BPE: " great").
    /// Empty when every example brings its own (`Example.candidates`).
    public let candidates: [String]
    /// One line on what the task is and where its data comes from.
    public let summary: String
    /// Text after the answer slot when the answer is a mask inside the prompt (masked LMs: MeZO's
    /// RoBERTa templates end "It was<mask>."); decoders, which append the answer, never see it.
    public let textAfterAnswer: String

    public init(name: String, template: PromptTemplate, candidates: [String], summary: String, textAfterAnswer: String = "") {
        self.name = name
        self.template = template
        self.candidates = candidates
        self.summary = summary
        self.textAfterAnswer = textAfterAnswer
    }

    /// The text the candidates are appended to.
    public func prompt(for example: Example) throws -> String { try template.render(example) }

    /// The example's own candidates if it has them, else the task's.
    public func candidates(for example: Example) -> [String] { example.candidates ?? candidates }

    /// Checks that every example renders and that its label indexes one of its candidates.
    public func validate(_ examples: [Example]) throws {
        for example in examples {
            _ = try prompt(for: example)
            let options = candidates(for: example)
            guard options.indices.contains(example.label) else {
                throw TaskError.labelOutsideCandidates(place: example.place, label: String(example.label), candidates: options)
            }
        }
    }
}
