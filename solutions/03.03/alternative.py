# A second correct solution: a named temporary file opened in the output's folder, written
# through the open file handle (not a path), closed, then renamed with os.replace.
### REGION process_data
target = Path(output_file).resolve()
doubled = pd.read_csv(input_file).mul(2)
scratch = tempfile.NamedTemporaryFile(
    mode="w", newline="", dir=target.parent, prefix=f".{target.name}.", suffix=".partial", delete=False
)
try:
    with scratch:
        doubled.to_csv(scratch, index=False)
    os.replace(scratch.name, target)
except Exception:
    Path(scratch.name).unlink(missing_ok=True)
    raise
