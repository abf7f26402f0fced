-- A batch file row's own reference (issue 24): its `client_reference` column (Mã hồ sơ,
-- Số hợp đồng, ...), written into every results file (CSV, XLSX, JSONL) beside the row,
-- whatever its status. A reference that breaks core.client_reference's rule makes its row
-- invalid and is kept as entered, so the results can echo it beside the problem: hence no
-- length check here. Rows stored before this revision have none (NULL).

ALTER TABLE batch_rows ADD COLUMN client_reference text;
