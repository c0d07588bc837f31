import ZOTensor

extension ParameterEntry {
    /// The activation rows this 2-D weight multiplies in one forward over `tokens` tokens of which
    /// `scoredRows` rows are scored, counted so that a factored rank-r delta costs rows·r·(m+n) there
    /// (`LowRankCostModel.factored`); nil for vectors. A lookup gathers r·n per token, so it counts
    /// as tokens·n/(m+n) rows; the uses add up (a tied embedding is also the head).
    func activationRows(tokens: Double, scoredRows: Double) -> Double? {
        guard shape.count == 2 else { return nil }
        let (m, n) = (Double(shape[0]), Double(shape[1]))
        var rows = 0.0
        if activationUse.contains(.lookup) { rows += tokens * n / (m + n) }
        if activationUse.contains(.everyToken) { rows += tokens }
        if activationUse.contains(.scoredRows) { rows += scoredRows }
        return rows
    }
}
