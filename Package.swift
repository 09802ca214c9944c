// swift-tools-version:6.0
import PackageDescription

// Targets by role:
//   SinabsCore      the Swift engine (storage, kernels, layers, models, training);
//                   the product Swift users depend on. Free of unsafe flags.
//   CSinabsKernels  the hot loops, in C with function multi-versioning so the
//                   default build runs AVX2+FMA code where the CPU has it.
//   COpenBLAS       system OpenBLAS (cblas.h) for the dense products.
//   CHDF5           system libhdf5 (hdf5.h) for reading and writing .nir files.
//   CSinabs         include/sinabs.h for the ABI target + the per-thread error.
//   Sinabs          the exported C functions only; product "sinabs" is libsinabs.so.
let exportsMap = Context.packageDirectory + "/Sources/Sinabs/exports.map"

let package = Package(
    name: "libsinabs",
    products: [
        .library(name: "sinabs", type: .dynamic, targets: ["Sinabs"]),
        .library(name: "SinabsCore", targets: ["SinabsCore"]),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(name: "CSinabsKernels"),
        .systemLibrary(
            name: "CHDF5",
            pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev"])]
        ),
        .target(
            name: "SinabsCore",
            dependencies: ["CSinabsKernels", "COpenBLAS", "CHDF5"]
        ),
        .target(name: "CSinabs"),
        .target(
            name: "Sinabs",
            dependencies: ["CSinabs", "SinabsCore"],
            exclude: ["exports.map"],
            linkerSettings: [
                // Only the C API leaves the shared object; soname carries the ABI version.
                .unsafeFlags([
                    "-Xlinker", "--version-script=\(exportsMap)",
                    "-Xlinker", "-soname=libsinabs.so.0",
                ])
            ]
        ),
        .testTarget(name: "SinabsCoreTests", dependencies: ["SinabsCore"]),
        // examples/swift: SinabsCore used natively (make examples runs it).
        .executableTarget(name: "sinabs-swift-example", dependencies: ["SinabsCore"], path: "examples/swift",
                          exclude: ["TrainDigits"]),
        // examples/swift/TrainDigits: trains an SNN on digits (make example-swift-digits).
        .executableTarget(name: "sinabs-swift-train-digits", dependencies: ["SinabsCore"],
                          path: "examples/swift/TrainDigits"),
    ],
    swiftLanguageModes: [.v5]
)
