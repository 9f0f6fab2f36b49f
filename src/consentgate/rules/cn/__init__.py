"""The `cn` rule pack: PIPL, Civil Code, the necessary-PI scope, the App identification method."""
