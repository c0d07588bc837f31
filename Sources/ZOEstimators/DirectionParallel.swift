/// A method configuration whose step makes several loss evaluations that `--distributed directions`
/// can share among processes, each evaluating its own (`LossOracle.evaluates`) and replaying the
/// others' perturbations: MeZO's and DiZO's n-SPSA directions, FZOO's and ZO-Muon's probes with
/// the unperturbed loss, P-GAP's probes of each window.
public protocol DirectionParallel {
    /// The evaluations of one step that can go to different processes (a two-point direction's pair
    /// counts once: its two passes stay together).
    var sharedEvaluations: Int { get }
}

extension MeZO.Configuration: DirectionParallel {
    public var sharedEvaluations: Int { directions }
}

extension DiZO.Configuration: DirectionParallel {
    /// The MeZO steps' directions; a projection phase runs whole on every process.
    public var sharedEvaluations: Int { directions }
}

extension FZOO.Configuration: DirectionParallel {
    public var sharedEvaluations: Int { directions + 1 }
}

extension ZOMuon.Configuration: DirectionParallel {
    /// N ≥ 2 one-sided probes and the unperturbed loss; N = 1 is one two-point pair.
    public var sharedEvaluations: Int { directions > 1 ? directions + 1 : 1 }
}

extension PGAP.Configuration: DirectionParallel {
    /// The h probes of a window's first step; each step's own pair is evaluated by every process.
    public var sharedEvaluations: Int { probes }
}
