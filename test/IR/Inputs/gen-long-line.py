"""Writes a graph of N relu nodes on one line (about 33 bytes a node)."""
import sys

n = int(sys.argv[1])
parts = ['graph @g { %x = node "input"() : f32[1]']
parts += [' %%a%d = node "relu()"(%%x) : f32[1]' % i for i in range(n)]
parts.append(' %%o = node "output"(%%a%d) : () }' % (n - 1))
sys.stdout.write("".join(parts))
