-- Units of a reservation line already taken out of stock by goods issues.
ALTER TABLE reservation_lines ADD COLUMN issued BIGINT NOT NULL DEFAULT 0;

-- Goods issues (phiếu xuất kho), one per dispatch order, kept whole.
CREATE TABLE goods_issues (
    dispatch_ref TEXT NOT NULL CONSTRAINT goods_issues_pkey PRIMARY KEY,
    number TEXT NOT NULL CONSTRAINT goods_issues_number_key UNIQUE,
    order_ref TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    body {{bytes}} NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
