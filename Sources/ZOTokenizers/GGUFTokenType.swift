/// GGUF `tokenizer.ggml.token_type` values (llama.cpp `llama_token_type`), shared by the GGUF routes
/// of every tokenizer model.
public enum GGUFTokenType: Int32, Sendable {
    case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
}
