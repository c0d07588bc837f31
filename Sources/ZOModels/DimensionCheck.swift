/// Rejects non-positive dimensions and a hidden size the heads do not divide, in the same words for
/// every family and every source (config.json or GGUF metadata).
func checkDimensions(_ dimensions: KeyValuePairs<String, Int>, hiddenSize: Int, headCount: Int, source: String) throws {
    func fail(_ reason: String) -> ModelError { .invalidConfiguration(source: source, reason: reason) }
    for (name, value) in dimensions where value <= 0 { throw fail("the \(name) must be positive, got \(value)") }
    guard hiddenSize % headCount == 0 else {
        throw fail("the hidden size \(hiddenSize) is not a multiple of the head count \(headCount)")
    }
}
