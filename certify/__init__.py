"""Certified search results (văn bản chứng nhận kết quả tra cứu): snapshot, render, sign, verify.

One job per module; import what you need (nothing heavy is imported here):

- :mod:`certify.snapshot` — the immutable snapshot model, ``canonical_json``, ``content_hash``;
  certificate numbers (``new_number``, ``is_valid_number``, ``parse_number``).
- :mod:`certify.batch_snapshot` — the snapshot of a certificate for a whole batch.
- :mod:`certify.render` — ``render_pdf(snapshot) -> bytes`` (deterministic, unsigned);
  :mod:`certify.batch_render` — ``render_batch_pdf(snapshot, results)``, the results
  embedded (:mod:`certify.attachment`).
- :mod:`certify.signing` — ``sign_pdf`` / ``load_signing_key`` + ``sign_with`` (PAdES B-B).
- :mod:`certify.issue` — number, snapshot, render, sign, store: one certificate issued.
- :mod:`certify.verify` — ``verify_pdf(pdf, trust_roots, expected_hash) -> VerificationResult``.
- :mod:`certify.dev_ca` — ``create_dev_ca(directory)``: a local signing authority for dev/tests.

Wording (Vietnamese + English) lives in ``certify/data/*.json``.
"""
