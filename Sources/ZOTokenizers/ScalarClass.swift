/// Character classes used by the pre-tokenizers, matching the Oniguruma regex engine that HF
/// `tokenizers` uses for its GPT-2 split (`\p{L}`, `\p{N}`, `\s`).
///
/// - letter: General_Category L* (Lu, Ll, Lt, Lm, Lo)
/// - number: General_Category N* (Nd, Nl, No)
/// - whitespace: the Unicode White_Space property (Oniguruma's Unicode `\s`; note U+001C...U+001F
///   and U+200B are *not* whitespace, U+0085 and U+00A0 are)
/// - other: everything else (punctuation, symbols, marks, controls, ...)
///
/// Unicode version: Swift 6.3's tables are Unicode 17.0, but the Oniguruma inside HF `tokenizers`
/// 0.23 knows Unicode 16.0, so it treats the 4,657 letters/numbers added in 17.0 as unassigned
/// ("other"). `isAssignedForHF` applies that cut; with it, all 1,112,064 scalars classify exactly as
/// HF does (checked exhaustively against tokenizers 0.23.3). The Rust `char` predicates HF uses
/// elsewhere (`Digits`, added-token `single_word`/`lstrip`/`rstrip`) come from Rust's own, newer
/// tables and take no such cut: see `isRustNumeric`.
enum ScalarClass: UInt8 {
    case other = 0
    case letter = 1
    case number = 2
    case whitespace = 3

    /// Precomputed classes for the Basic Multilingual Plane; astral scalars are looked up directly.
    private static let bmp: [ScalarClass] = (0..<0x10000).map { v in
        guard let scalar = Unicode.Scalar(UInt32(v)) else { return .other }  // surrogates
        return compute(scalar)
    }

    /// The newest Unicode version HF's tables know about.
    static let hfUnicodeVersion = (major: 16, minor: 0)

    /// False for scalars unassigned in, or first assigned after, `hfUnicodeVersion`.
    @inline(__always)
    static func isAssignedForHF(_ properties: Unicode.Scalar.Properties) -> Bool {
        guard let age = properties.age else { return false }
        return age.major < hfUnicodeVersion.major
            || (age.major == hfUnicodeVersion.major && age.minor <= hfUnicodeVersion.minor)
    }

    static func compute(_ scalar: Unicode.Scalar) -> ScalarClass {
        let properties = scalar.properties
        if scalar.value >= 0x80 && !isAssignedForHF(properties) { return .other }
        if properties.isWhitespace { return .whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }

    /// Rust `char::is_numeric` (General_Category Nd/Nl/No, current Unicode), used by HF `Digits`.
    @inline(__always)
    static func isRustNumeric(_ value: UInt32) -> Bool {
        if value < 0x80 { return value >= 0x30 && value <= 0x39 }
        guard let scalar = Unicode.Scalar(value) else { return false }
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    @inline(__always)
    static func of(_ value: UInt32) -> ScalarClass {
        if value < 0x10000 { return bmp[Int(value)] }
        guard let scalar = Unicode.Scalar(value) else { return .other }
        return compute(scalar)
    }
}

/// Decodes the scalar starting at `i` in valid UTF-8, returning its value and byte length.
/// (Input always comes from a Swift `String`, so it is well-formed.)
@inline(__always)
func decodeUTF8(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> (value: UInt32, length: Int) {
    let b0 = UInt32(p[i])
    if b0 < 0x80 { return (b0, 1) }
    if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F), 2) }
    if b0 < 0xF0 {
        return ((b0 & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F), 3)
    }
    return ((b0 & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6
            | UInt32(p[i + 3] & 0x3F), 4)
}

/// Byte length of the scalar that ends just before `end` (walks back over continuation bytes).
@inline(__always)
func lengthOfScalar(endingAt end: Int, in p: UnsafeBufferPointer<UInt8>) -> Int {
    var i = end - 1
    while p[i] & 0xC0 == 0x80 { i -= 1 }
    return end - i
}
