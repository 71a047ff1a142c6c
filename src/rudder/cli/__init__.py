"""The ``rudder`` command line: Typer sub-applications for the local cluster, the
toolchain, installation, the controller and applications."""
