/// The value types of config.json fields: each checks its value as it is decoded and names the key
/// when it is wrong. A value of the wrong JSON type (the string "64" for a size, 64.5 for a count,
/// "tiny" for an epsilon) is named as wrong, never read as absent or rounded: a default taken
/// silently would compute another model. Absent and null are the same (an optional field is nil).

extension Decoder {
    /// The value at this key as `read` takes it; a value it does not take (or null where a value is
    /// required, reported like an absent key) fails, saying it must be `expected` and what it is.
    func configValue<T>(_ expected: String, _ read: (ConfigValue) -> T?) throws -> T {
        let found = try ConfigValue(from: self)
        if case .null = found { throw ConfigFieldError("\(configKey) is missing") }
        guard let value = read(found) else { throw ConfigFieldError("\(configKey) must be \(expected), found \(found)") }
        return value
    }

    /// The string at this key as `choose` maps it; a name it does not map is an option ZOTune does
    /// not implement, and fails naming the key and the name.
    func supportedChoice<T>(_ choose: (String) -> T?) throws -> T {
        let name = try ConfigString(from: self).value
        guard let choice = choose(name) else { throw ConfigFieldError("\(configKey) \(name) is not supported") }
        return choice
    }
}

/// An integral number (`64`, also written `64.0`).
struct ConfigInteger: Decodable {
    let value: Int
    init(from decoder: Decoder) throws { value = try decoder.configValue("an integer") { $0.number.flatMap { Int(exactly: $0) } } }
}

/// A finite number, integral or not.
struct ConfigNumber: Decodable {
    let value: Double
    init(from decoder: Decoder) throws { value = try decoder.configValue("a number") { $0.number.flatMap { $0.isFinite ? $0 : nil } } }
}

/// `true` or `false`.
struct ConfigFlag: Decodable {
    let value: Bool
    init(from decoder: Decoder) throws { value = try decoder.configValue("true or false") { $0.flag } }
}

/// A string.
struct ConfigString: Decodable {
    let value: String
    init(from decoder: Decoder) throws { value = try decoder.configValue("a string") { $0.string } }
}

/// A size (`DeclaredSize`): an integer, positive and within the limit of what `Kind` counts.
struct ConfigSize<Kind: DeclaredSizeKind>: Decodable {
    let value: Int

    init(from decoder: Decoder) throws {
        value = try Kind.size.checked(ConfigInteger(from: decoder).value, key: decoder.configKey, fail: ConfigFieldError.init)
    }
}

/// An object of label names (`id2label`), which sizes a classifier: its member count is a size of
/// kind `labels`.
struct ConfigLabelNames: Decodable {
    let count: Int

    init(from decoder: Decoder) throws {
        let names = try decoder.configValue("an object") { $0.members }
        count = try DeclaredSize.labels.checked(names, key: "the label count of \(decoder.configKey)", fail: ConfigFieldError.init)
    }
}

/// A flag whose `true` asks for something the forward does not implement (cross-attention, LLaMA's
/// MLP biases): decoding it as true fails, naming the key.
struct UnsupportedOption: Decodable {
    init(from decoder: Decoder) throws {
        if try ConfigFlag(from: decoder).value { throw ConfigFieldError("\(decoder.configKey) = true is not supported") }
    }
}

/// A string option of which ZOTune implements the cases' raw values; any other value fails decoding,
/// naming the key and the value.
protocol SupportedChoice: RawRepresentable, Decodable where RawValue == String {}

extension SupportedChoice {
    init(from decoder: Decoder) throws { self = try decoder.supportedChoice(Self.init(rawValue:)) }
}
