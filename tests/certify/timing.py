"""Time render + sign (+ verify) for 1, 20 and 500 matches: ``python -m tests.certify.timing``.

Not a test (pytest does not collect it); prints one line per size.
"""

from __future__ import annotations

import sys
import tempfile
import time

from certify.dev_ca import create_dev_ca
from certify.render import render_pdf
from certify.signing import SignatureOptions, load_signing_key, sign_with
from certify.verify import load_trust_roots, verify_pdf
from tests.certify.factories import make_snapshot


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ca = create_dev_ca(tmp)
        key = load_signing_key(ca.signer_key, ca.signer_cert, ca.chain)
        roots = load_trust_roots([ca.root_cert])
        render_pdf(make_snapshot(1))  # font registration, imports
        for n in sizes:
            snapshot = make_snapshot(n)
            t0 = time.perf_counter()
            pdf = render_pdf(snapshot)
            t1 = time.perf_counter()
            signed = sign_with(pdf, key, SignatureOptions(visible=True))
            t2 = time.perf_counter()
            result = verify_pdf(signed, roots)
            t3 = time.perf_counter()
            assert result.genuine, result
            print(
                f"{n:>4} exact matches: render {t1 - t0:6.2f} s  sign {t2 - t1:5.2f} s  "
                f"verify {t3 - t2:5.2f} s  {len(signed) / 1024:7.0f} KiB"
            )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 20, 500])
