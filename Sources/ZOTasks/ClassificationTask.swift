import Foundation

/// A task in the MeZO style: the prompt is rendered from a template, each candidate string is
/// appended to it verbatim, and the model's score of each candidate decides the class. A generation
/// task (`generation` set, no candidates) has free-form reference answers per example instead: the
/// model's greedy answer is scored by exact match and F1 (`AnswerGeneration`, `AnswerMetrics`).
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
    /// Set for a generation task: how its answers are generated.
    public let generation: AnswerGeneration?

    public init(
        name: String, template: PromptTemplate, candidates: [String], summary: String, textAfterAnswer: String = "",
        generation: AnswerGeneration? = nil
    ) {
        self.name = name
        self.template = template
        self.candidates = candidates
        self.summary = summary
        self.textAfterAnswer = textAfterAnswer
        self.generation = generation
    }

    /// The text the candidates are appended to.
    public func prompt(for example: Example) throws -> String { try template.render(example) }

    /// The example's own candidates if it has them, else the task's; in a generation task, the
    /// trained answer as it follows the prompt (`AnswerGeneration.target`).
    public func candidates(for example: Example) throws -> [String] {
        if let generation {
            return [generation.target(for: try references(for: example)[0], after: try prompt(for: example))]
        }
        return example.candidates ?? candidates
    }

    /// A generation task's reference answers of `example`: there must be at least one, none empty.
    public func references(for example: Example) throws -> [String] {
        guard let answers = example.answers, !answers.isEmpty else {
            throw TaskError.invalidExample(place: example.place, reason: "it has no reference answer")
        }
        guard !answers.contains(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) else {
            throw TaskError.invalidExample(place: example.place, reason: "one of its answers is empty")
        }
        return answers
    }

    /// Checks that every example renders and that its label indexes one of its candidates (in a
    /// generation task: that it has answers).
    public func validate(_ examples: [Example]) throws {
        for example in examples {
            _ = try prompt(for: example)
            if generation != nil {
                _ = try references(for: example)
                continue
            }
            let options = try candidates(for: example)
            guard options.indices.contains(example.label) else {
                throw TaskError.labelOutsideCandidates(place: example.place, label: String(example.label), candidates: options)
            }
        }
    }
}
