import FuzzSupport
import ZOJSON

/// The strict JSON parser every config, tokenizer and task file goes through (`JSONValue.parse`).
LibFuzzer.run { input in
    _ = try? JSONValue.parse(input.bytes)
}
