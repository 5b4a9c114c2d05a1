"""The trust-boundary proof (netns_matrix.py), in modules by what they prove:

  harness    namespaces per node, links, LANs and tailnet, real ufw, listeners, probes
  listeners  where each generated program listens, by image, flags and environment
  matrix     listeners the intent does not allow, and the probe matrix against the intent
  firewall   firewall.sh by the real ufw, once per distinct script in a test run
  ufw_server the installed ufw's commands of one firewall.sh in one Python start

netns_matrix.py keeps the command line; ray_check.py reuses its Harness.
"""
