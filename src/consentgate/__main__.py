"""`python -m consentgate` is the `consentgate` command."""

from consentgate.cli import main

main()
