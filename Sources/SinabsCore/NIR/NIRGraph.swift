/// A NIR graph as the `nir` package's `nir.write` lays it out in HDF5:
/// "/version" (a string) and the group "/node" with "type" = "NIRGraph",
/// "nodes" (one group per node: "type" plus the node's fields as datasets)
/// and "edges" (strings of shape (E, 2): source, target).
struct NIRGraph {
    /// One node: its name in the graph, NIR type ("Affine", "LIF") and fields.
    struct Node {
        let name: String
        let type: String
        let fields: [(name: String, value: HDF5Value)]
    }

    var nodes: [Node]
    var edges: [(from: String, to: String)]

    /// The NIR version written in files (the `nir` package's format).
    static let version = "1.0.4"

    init(nodes: [Node], edges: [(from: String, to: String)]) {
        self.nodes = nodes
        self.edges = edges
    }

    /// The graph of a file's root group; `.invalidArgument` when the file is
    /// HDF5 but not NIR.
    init(file root: HDF5Value) throws {
        guard let graph = root["node"], case .group = graph else {
            throw SinabsError.invalid("not a NIR file: it has no '/node' group")
        }
        guard case .strings([], ["NIRGraph"])? = graph["type"] else {
            throw SinabsError.invalid("not a NIR file: '/node/type' is not \"NIRGraph\"")
        }
        guard case .group(let members)? = graph["nodes"] else {
            throw SinabsError.invalid("not a NIR file: '/node/nodes' is missing")
        }
        nodes = try members.map { name, value in
            guard case .group(let fields) = value, case .strings([], let type)? = value["type"], let kind = type.first else {
                throw SinabsError.invalid("NIR node '\(name)' has no type")
            }
            return Node(name: name, type: kind, fields: fields.filter { $0.name != "type" })
        }
        switch graph["edges"] {
        case .strings(let shape, let values)? where shape.count == 2 && shape[1] == 2:
            edges = stride(from: 0, to: values.count, by: 2).map { (values[$0], values[$0 + 1]) }
        case .numbers(_, let values, _)? where values.isEmpty:  // h5py writes [] as floats
            edges = []
        default:
            throw SinabsError.invalid("not a NIR file: '/node/edges' is not a list of (source, target) names")
        }
    }

    /// The file's root group for `HDF5File.write`.
    var file: [(name: String, value: HDF5Value)] {
        let nodeGroups = nodes.map { node in
            (name: node.name, value: HDF5Value.group(node.fields + [("type", .string(node.type))]))
        }
        let graph: [(name: String, value: HDF5Value)] = [
            ("edges", .strings(shape: [edges.count, 2], values: edges.flatMap { [$0.from, $0.to] })),
            ("nodes", .group(nodeGroups)),
            ("type", .string("NIRGraph")),
        ]
        return [("node", .group(graph)), ("version", .string(Self.version))]
    }

    /// The nodes from the one Input to the one Output, in order, when the
    /// edges form a single chain; otherwise an error naming the node where
    /// it branches, loops or breaks.
    func chain() throws -> [Node] {
        for node in nodes where node.type == "NIRGraph" {
            throw SinabsError.invalid("NIR node '\(node.name)' is a nested graph (e.g. a recurrent layer's subgraph); not supported from files")
        }
        let inputs = nodes.filter { $0.type == "Input" }, outputs = nodes.filter { $0.type == "Output" }
        guard inputs.count == 1, outputs.count == 1 else {
            throw SinabsError.invalid("the NIR graph must have one Input and one Output node, has \(inputs.count) and \(outputs.count)")
        }
        var next: [String: String] = [:], incoming: [String: Int] = [:]
        for edge in edges {
            guard nodes.contains(where: { $0.name == edge.from }), nodes.contains(where: { $0.name == edge.to }) else {
                throw SinabsError.invalid("NIR edge \(edge.from) -> \(edge.to) names a node the graph does not have")
            }
            guard next[edge.from] == nil else {
                throw SinabsError.invalid("NIR node '\(edge.from)' feeds more than one node; only chains are supported")
            }
            next[edge.from] = edge.to
            incoming[edge.to, default: 0] += 1
            guard incoming[edge.to, default: 0] == 1 else {
                throw SinabsError.invalid("NIR node '\(edge.to)' has more than one input (a recurrent or merging graph); only chains are supported")
            }
        }
        guard incoming[inputs[0].name] == nil, next[outputs[0].name] == nil else {
            throw SinabsError.invalid("the NIR graph has an edge into its Input or out of its Output node (a cycle?)")
        }
        var order: [Node] = [], current = inputs[0].name
        while true {
            guard let node = nodes.first(where: { $0.name == current }) else { break }
            order.append(node)
            if node.type == "Output" { break }
            guard let following = next[current] else {
                throw SinabsError.invalid("NIR node '\(current)' does not lead to the Output node")
            }
            current = following
        }
        if let unused = nodes.first(where: { node in !order.contains { $0.name == node.name } }) {
            throw SinabsError.invalid("NIR node '\(unused.name)' is not on the path from Input to Output")
        }
        return order
    }
}
