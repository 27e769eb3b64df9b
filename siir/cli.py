def main() -> None:
    raise SystemExit("siir: not built yet")
