/// One setting of a method as users meet it: one name — the property in code and its key in
/// `config.json` (`probeEpsilon`), and the flag `--probe-epsilon` derived from it — a help line, and
/// the values it accepts. A configuration lists its settings once (`EstimatorConfiguration.settings`);
/// the command line, validation and help all come from that list.
public struct MethodSetting<Configuration> {
    /// The property's name, which is also its `config.json` key.
    public let name: String
    public let help: String
    /// Whether the flag takes several values (`--projected-tensors a b c`).
    public let takesList: Bool
    /// What a value looks like, for errors ("a number", "one of: tensor, step").
    public let expected: String
    /// The value in `configuration`, as the command line would spell it ("" for an unset optional).
    public let text: (Configuration) -> String
    /// Sets the value from command-line text; nil when the text is not a value of this setting.
    let assign: (inout Configuration, [String]) -> Bool
    /// Why the value in `configuration` is out of range, or nil.
    let problem: (Configuration) -> String?

    /// The flag: the name in kebab case (`probeEpsilon` → `--probe-epsilon`, `projectionLR` → `--projection-lr`).
    public var flag: String {
        var result = "--"
        var previous: Character?
        for character in name {
            if character.isUppercase, let previous, previous.isLowercase { result += "-" }
            result += character.lowercased()
            previous = character
        }
        return result
    }

    /// A setting holding one value.
    public init<Value: SettingValue>(
        _ name: String, _ keyPath: WritableKeyPath<Configuration, Value>, _ range: SettingRange<Value> = .any,
        help: String
    ) {
        self.name = name
        self.help = help
        takesList = false
        expected = Value.expected
        text = { $0[keyPath: keyPath].settingText }
        assign = { configuration, texts in
            guard texts.count == 1, let value = Value(settingText: texts[0]) else { return false }
            configuration[keyPath: keyPath] = value
            return true
        }
        problem = { range.problem($0[keyPath: keyPath]) }
    }

    /// A setting that may be left unset (nil: a default derived from other settings).
    public init<Value: SettingValue>(
        _ name: String, _ keyPath: WritableKeyPath<Configuration, Value?>, _ range: SettingRange<Value> = .any,
        help: String
    ) {
        self.name = name
        self.help = help
        takesList = false
        expected = Value.expected
        text = { $0[keyPath: keyPath]?.settingText ?? "" }
        assign = { configuration, texts in
            guard texts.count == 1, let value = Value(settingText: texts[0]) else { return false }
            configuration[keyPath: keyPath] = value
            return true
        }
        problem = { $0[keyPath: keyPath].flatMap(range.problem) }
    }

    /// A list of words that may be left unset (nil: a default the method derives).
    public init(_ name: String, _ keyPath: WritableKeyPath<Configuration, [String]?>, help: String) {
        self.name = name
        self.help = help
        takesList = true
        expected = "one or more values"
        text = { $0[keyPath: keyPath]?.joined(separator: " ") ?? "" }
        assign = { configuration, texts in
            guard !texts.isEmpty else { return false }
            configuration[keyPath: keyPath] = texts
            return true
        }
        problem = { _ in nil }
    }
}

/// The values a setting accepts beyond its type, described in the words of the error.
public struct SettingRange<Value> {
    let problem: (Value) -> String?

    public static var any: SettingRange { SettingRange { _ in nil } }
}

extension SettingRange where Value: Equatable & SettingValue {
    /// One of `values`: an option whose type other methods share with more values (a subspace source).
    public static func oneOf(_ values: [Value]) -> SettingRange {
        SettingRange {
            values.contains($0) ? nil : "must be \(values.map(\.settingText).joined(separator: " or ")) for this method, got \($0.settingText)"
        }
    }
}

extension SettingRange where Value == Float {
    /// ε, learning rates: finite and > 0.
    public static var positive: SettingRange { SettingRange { $0.isFinite && $0 > 0 ? nil : "must be a finite number > 0, got \($0)" } }
    /// Weight decay, δ: finite and ≥ 0.
    public static var nonNegative: SettingRange { SettingRange { $0.isFinite && $0 >= 0 ? nil : "must be a finite number ≥ 0, got \($0)" } }
    /// A fraction below one: 0 ≤ x < 1.
    public static var fraction: SettingRange { SettingRange { $0 >= 0 && $0 < 1 ? nil : "must be at least 0 and below 1, got \($0)" } }
}

extension SettingRange where Value == Int {
    /// An integer within `range`.
    public static func within(_ range: ClosedRange<Int>) -> SettingRange {
        SettingRange { range.contains($0) ? nil : "must be between \(range.lowerBound) and \(range.upperBound), got \($0)" }
    }

    /// Ranks, probes, directions: beyond `countLimit` a step's memory or time is absurd.
    public static var count: SettingRange { within(1...countLimit) }
    /// Intervals in steps.
    public static var steps: SettingRange { within(1...Int(Int32.max)) }
    public static var countLimit: Int { 4096 }
}

/// A value a setting can hold, written and read as command-line text.
public protocol SettingValue {
    init?(settingText: String)
    var settingText: String { get }
    /// What a value looks like, for errors.
    static var expected: String { get }
}

extension Float: SettingValue {
    public init?(settingText: String) { self.init(settingText) }
    public var settingText: String { "\(self)" }
    public static var expected: String { "a number" }
}

extension Int: SettingValue {
    public init?(settingText: String) { self.init(settingText) }
    public var settingText: String { "\(self)" }
    public static var expected: String { "a whole number" }
}

extension Bool: SettingValue {
    public init?(settingText: String) { self.init(settingText) }
    public var settingText: String { "\(self)" }
    public static var expected: String { "true or false" }
}

extension SettingValue where Self: RawRepresentable & CaseIterable, RawValue == String {
    public init?(settingText: String) { self.init(rawValue: settingText) }
    public var settingText: String { rawValue }
    public static var expected: String { "one of " + allCases.map(\.rawValue).joined(separator: ", ") }
}
