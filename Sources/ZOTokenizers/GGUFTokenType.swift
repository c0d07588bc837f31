/// GGUF `tokenizer.ggml.token_type` values (llama.cpp `llama_token_type`), which say which tokens are
/// special (control, unknown) or added by the user and so matched in text before tokenization.
public enum GGUFTokenType: Int32, Sendable {
    case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
}
