"""The swap proof (swap_check.py), in modules by what they prove:

  harness  namespaces per node, swap.sh runs and their transcripts, results
  fakes    the fake docker and ssh swap.sh calls, and the model stub they start
  node     swap.sh on one node: each model and back, failed starts
  gates    swap.sh's gates, each proven to stop a swap that must not happen

swap_check.py keeps the command line and the stand-ins' subcommands.
"""
