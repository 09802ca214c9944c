"""A NIR graph as the chain our Sequential can run: nested graphs inlined,
neuron <-> Affine/Linear cycles recognised as recurrent connections, then one
path from the Input to the Output. Errors name the node."""
from dataclasses import dataclass
from typing import Optional

import nir

NEURONS = (nir.IF, nir.LIF, nir.CubaLIF, nir.LI)
WEIGHTS = (nir.Affine, nir.Linear)


@dataclass
class Step:
    name: str
    node: object
    recurrent: Optional[object] = None    # the Affine/Linear feeding this neuron's output back
    recurrent_name: str = ""


def chain(graph):
    """(input node, [Step], output node) of `graph`, or ValueError naming the
    node where it is not a chain."""
    nodes, edges = _inline(graph, "")
    recurrent = _recurrent_pairs(nodes, edges)
    for neuron, (weights, _) in recurrent.items():
        edges = [e for e in edges if e not in ((neuron, weights), (weights, neuron))]
        del nodes[weights]
    successors = {name: [] for name in nodes}
    predecessors = {name: [] for name in nodes}
    for a, b in edges:
        if a not in nodes or b not in nodes:
            missing = a if a not in nodes else b
            raise ValueError(f"NIR graph: edge ({a!r}, {b!r}) names a node {missing!r} the graph does not have")
        successors[a].append(b)
        predecessors[b].append(a)
    start = _the_one(nodes, nir.Input, "Input")
    end = _the_one(nodes, nir.Output, "Output")
    steps, seen, current = [], {start}, start
    while current != end:
        following = successors[current]
        if len(following) != 1:
            raise ValueError(f"NIR graph: node {current!r} ({type(nodes[current]).__name__}) has "
                             f"{len(following)} outgoing edges {following}; only chains (with recurrent "
                             "neuron <-> Affine cycles) can be imported")
        current = following[0]
        if current in seen:
            raise ValueError(f"NIR graph: node {current!r} closes a cycle that is not a neuron <-> "
                             "Affine/Linear recurrent connection")
        if len(predecessors[current]) != 1:
            raise ValueError(f"NIR graph: node {current!r} ({type(nodes[current]).__name__}) has "
                             f"{len(predecessors[current])} incoming edges {predecessors[current]}; only "
                             "chains can be imported")
        seen.add(current)
        if current != end:
            rec = recurrent.get(current)
            steps.append(Step(current, nodes[current]) if rec is None else
                         Step(current, nodes[current], recurrent=rec[1], recurrent_name=rec[0]))
    left_over = sorted(set(nodes) - seen)
    if left_over:
        raise ValueError(f"NIR graph: node(s) {left_over} are not on the path from {start!r} to {end!r}")
    return nodes[start], steps, nodes[end]


def _the_one(nodes, node_class, what):
    found = [name for name, node in nodes.items() if isinstance(node, node_class)]
    if len(found) != 1:
        raise ValueError(f"NIR graph: needs exactly one {what} node, found {len(found)} {found}")
    return found[0]


def _inline(graph, prefix):
    """(nodes, edges) with every nested NIRGraph replaced by its inner nodes
    (named "outer.inner"), its Input/Output dissolved into the edges."""
    if not isinstance(graph, nir.NIRGraph):
        raise TypeError(f"expected a nir.NIRGraph, got {type(graph).__name__}")
    nodes, edges = {}, []
    for name, node in graph.nodes.items():
        nodes[prefix + str(name)] = node
    for a, b in graph.edges:
        edge = (prefix + str(a), prefix + str(b))
        if edge not in edges:  # some exporters repeat edges
            edges.append(edge)
    for name in [n for n, node in nodes.items() if isinstance(node, nir.NIRGraph)]:
        inner_nodes, inner_edges = _inline(nodes.pop(name), name + ".")
        entries = [n for n, node in inner_nodes.items() if isinstance(node, nir.Input)]
        exits = [n for n, node in inner_nodes.items() if isinstance(node, nir.Output)]
        if len(entries) != 1 or len(exits) != 1:
            raise ValueError(f"NIR graph: subgraph {name!r} needs one Input and one Output node")
        after_entry = [b for a, b in inner_edges if a == entries[0]]
        before_exit = [a for a, b in inner_edges if b == exits[0]]
        rewired = []
        for a, b in edges:
            sources = before_exit if a == name else [a]
            targets = after_entry if b == name else [b]
            rewired += [(s, t) for s in sources for t in targets]
        rewired += [(a, b) for a, b in inner_edges if a not in (entries[0],) and b not in (exits[0],)]
        for n in (entries[0], exits[0]):
            del inner_nodes[n]
        nodes.update(inner_nodes)
        edges = list(dict.fromkeys(rewired))
    return nodes, edges


def _recurrent_pairs(nodes, edges):
    """{neuron name: (weights name, weights node)} for each neuron -> W -> neuron
    cycle whose W (Affine or Linear) has no other edges."""
    pairs = {}
    for a, b in edges:
        if not (isinstance(nodes.get(a), NEURONS) and isinstance(nodes.get(b), WEIGHTS) and (b, a) in edges):
            continue
        if sum(b in e for e in edges) != 2:
            raise ValueError(f"NIR graph: recurrent weights {b!r} of neuron {a!r} have other connections too")
        if a in pairs:
            raise ValueError(f"NIR graph: neuron {a!r} has two recurrent connections")
        pairs[a] = (b, nodes[b])
    return pairs
