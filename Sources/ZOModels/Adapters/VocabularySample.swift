import ZORandom

/// Distinct token ids drawn from a vocabulary by a seed: the real tokens that prompt and prefix
/// tuning start from ("init from vocabulary"), so the adapter begins inside what the model reads.
enum VocabularySample {
    static func ids(count: Int, vocabularySize: Int, seed: UInt64, stream: Int) -> [Int] {
        var generator = SplitMix64(seed: SeedDerivation.derive(seed, .adapterInitialisation, stream))
        var chosen: [Int] = []
        while chosen.count < min(count, vocabularySize) {
            let id = Int(generator.next() % UInt64(vocabularySize))
            if !chosen.contains(id) { chosen.append(id) }
        }
        return chosen
    }
}
