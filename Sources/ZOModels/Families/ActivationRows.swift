import ZOTensor

/// How a 2-D weight meets the activations of one forward pass; decides its share of
/// `LanguageModel.activationRows` (the cost of a factored low-rank delta, in units of r·(m+n)
/// multiply-adds per row).
enum ActivationRowsRule {
    /// An embedding table: a lookup only gathers rows, r·n per token, so it counts as
    /// tokens·n/(m+n) rows; a head tied to the table adds the scored rows.
    case lookup(tiedHead: Bool)
    /// Applied to the scored rows only (the LM head, OPT's project_out).
    case scoredRows
    /// Applied to every token (layer matrices).
    case everyToken
}

/// For each 2-D weight of `arena` (by index), the activation rows of one forward over `tokens`
/// tokens with `scoredRows` output rows, given how the model uses each weight.
func activationRows(
    of arena: WeightArena, tokens: Double, scoredRows: Double, use: (String) -> ActivationRowsRule
) -> [Int: Double] {
    var rows: [Int: Double] = [:]
    for (index, entry) in arena.entries.enumerated() where entry.shape.count == 2 {
        switch use(entry.name) {
        case let .lookup(tiedHead):
            let (m, n) = (Double(entry.shape[0]), Double(entry.shape[1]))
            rows[index] = tokens * n / (m + n) + (tiedHead ? scoredRows : 0)
        case .scoredRows:
            rows[index] = scoredRows
        case .everyToken:
            rows[index] = tokens
        }
    }
    return rows
}
