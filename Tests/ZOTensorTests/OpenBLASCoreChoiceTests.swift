import XCTest
import ZOTensor

/// When the command line asks OpenBLAS for other kernels (`OpenBLASCoreChoice`): only when OpenBLAS
/// fell back to a pre-AVX2 family on a CPU with AVX2 or AVX-512 and the user named no family.
final class OpenBLASCoreChoiceTests: XCTestCase {
    private func recommend(_ chosen: String, named: Bool = false, avx512: Bool = false, bf16: Bool = false, avx2: Bool = true) -> String? {
        OpenBLASCoreChoice.recommendation(chosen: chosen, environmentNamesOne: named, avx512: avx512, avx512BFloat16: bf16, avx2: avx2)
    }

    func testAnUnrecognisedCPUGetsTheWidestKernelsItRuns() {
        XCTAssertEqual(recommend("Prescott", avx512: true, bf16: true), "Cooperlake")
        XCTAssertEqual(recommend("Prescott", avx512: true), "SkylakeX")
        XCTAssertEqual(recommend("Nehalem"), "Haswell")
        XCTAssertEqual(recommend("Sandybridge"), "Haswell")
    }

    func testOpenBLASsOwnModernChoiceAndTheUsersChoiceStand() {
        for family in ["Haswell", "Zen", "SkylakeX", "Cooperlake"] {
            XCTAssertNil(recommend(family, avx512: true, bf16: true), family)
        }
        XCTAssertNil(recommend("Prescott", named: true, avx512: true), "OPENBLAS_CORETYPE set by the user")
        XCTAssertNil(recommend("Prescott", avx2: false), "no AVX2: nothing better exists")
        XCTAssertNil(recommend("Accelerate", avx512: true))
    }

    /// In this process (the test runner, which does not re-execute): whatever OpenBLAS chose, the
    /// recommendation names a family only where the CPU can run it.
    func testTheRecommendationHereIsRunnable() {
        guard let family = OpenBLASCoreChoice.recommended else { return }
        XCTAssertTrue(["Cooperlake", "SkylakeX", "Haswell"].contains(family), family)
        XCTAssertTrue(KernelVariant.avx2.isAvailable, "a modern family is recommended only with AVX2")
    }
}
