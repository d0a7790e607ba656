"""Merit and demerit points: the ledger, the rules that award points, monthly statements."""
