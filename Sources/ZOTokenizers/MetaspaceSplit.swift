/// HF's `Metaspace` pre-tokenizer, which SentencePiece-converted tokenizer.json files use instead of
/// the legacy Prepend/Replace normalizers: every U+0020 becomes the replacement (`▁`), the replacement is
/// put in front unless the piece already starts with it (`always`; `first`: only for the piece at the
/// start of the text, so not after a special token; `never`), and with `split` the piece is cut before
/// every replacement (HF `MergedWithNext`: `"▁▁hi"` -> `"▁"`, `"▁hi"`).
struct MetaspaceSplit: Sendable, Equatable {
    enum PrependScheme: String, Sendable {
        case always, first, never
    }

    /// UTF-8 of the replacement character.
    let replacement: [UInt8]
    let prependScheme: PrependScheme
    let split: Bool

    init(replacement: Unicode.Scalar, prependScheme: PrependScheme, split: Bool) {
        self.replacement = Array(String(replacement).utf8)
        self.prependScheme = prependScheme
        self.split = split
    }

    func split(_ piece: ArraySlice<UInt8>, startsText: Bool, into out: inout [ArraySlice<UInt8>]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(piece.count + replacement.count * 4)
        for b in piece {
            if b == 0x20 { bytes += replacement } else { bytes.append(b) }
        }
        let prepend = prependScheme == .always || (prependScheme == .first && startsText)
        if prepend && !bytes.starts(with: replacement) {
            bytes.insert(contentsOf: replacement, at: 0)
        }
        guard split else {
            out.append(bytes[...])
            return
        }
        var start = 0
        var i = 0
        while i < bytes.count {
            if bytes[i] == replacement[0] && bytes[i...].starts(with: replacement) {
                if i > start { out.append(bytes[start..<i]) }
                start = i
                i += replacement.count
            } else {
                i += 1
            }
        }
        if start < bytes.count { out.append(bytes[start...]) }
    }
}
