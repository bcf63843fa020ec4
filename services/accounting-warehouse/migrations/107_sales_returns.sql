-- Returns of delivered goods (phiếu nhập hàng bán bị trả lại), numbered TL-<year>-NNNN without
-- gaps, against the invoice the goods were sold on. Amounts are positive (what was returned);
-- the office is the one whose warehouse issued the goods and takes them back. A return lowers
-- invoices.total_net and total_vat (the figures receivables are read from), and paid where the
-- customer had paid for the goods; the invoice's body keeps the document as it was issued.
CREATE TABLE sales_returns (
    id {{identity sales_returns_pkey}},
    number TEXT NOT NULL CONSTRAINT sales_returns_number_key UNIQUE,
    invoice_id BIGINT NOT NULL CONSTRAINT sales_returns_invoice_fkey REFERENCES invoices (id),
    customer_id BIGINT NOT NULL,
    office TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    returned_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    total_net BIGINT NOT NULL,
    total_vat BIGINT NOT NULL,
    total_cost BIGINT NOT NULL,
    body {{bytes}} NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT sales_returns_amounts_positive CHECK (total_net >= 0 AND total_vat >= 0 AND total_cost >= 0)
);

CREATE INDEX sales_returns_invoice_idx ON sales_returns (invoice_id, id);
CREATE INDEX sales_returns_customer_idx ON sales_returns (customer_id, id);

-- The units of each return. invoice_id and invoice_line_no bound what may still come back: the
-- quantity invoiced less what earlier returns took.
CREATE TABLE sales_return_lines (
    return_id BIGINT NOT NULL CONSTRAINT sales_return_lines_return_fkey REFERENCES sales_returns (id),
    line_no BIGINT NOT NULL,
    invoice_id BIGINT NOT NULL CONSTRAINT sales_return_lines_invoice_fkey REFERENCES invoices (id),
    invoice_line_no BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    condition TEXT NOT NULL,
    unit_price BIGINT NOT NULL,
    vat_rate_bp BIGINT NOT NULL,
    net_amount BIGINT NOT NULL,
    vat_amount BIGINT NOT NULL,
    unit_cost BIGINT NOT NULL,
    cost_amount BIGINT NOT NULL,
    CONSTRAINT sales_return_lines_pkey PRIMARY KEY (return_id, line_no),
    CONSTRAINT sales_return_lines_quantity_positive CHECK (quantity > 0),
    CONSTRAINT sales_return_lines_condition_known CHECK (condition IN ('good', 'damaged'))
);

CREATE INDEX sales_return_lines_invoice_idx ON sales_return_lines (invoice_id, invoice_line_no);

-- A serial unit comes back from an invoice at most once.
CREATE TABLE sales_return_serials (
    return_id BIGINT NOT NULL CONSTRAINT sales_return_serials_return_fkey REFERENCES sales_returns (id),
    invoice_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    serial TEXT NOT NULL,
    condition TEXT NOT NULL,
    CONSTRAINT sales_return_serials_once UNIQUE (invoice_id, product_id, serial)
);

-- Reducing invoices (hóa đơn điều chỉnh giảm), in their own yearly series without gaps, each
-- linked to the invoice it adjusts and the return behind it. Amounts are negative.
CREATE TABLE adjusting_invoices (
    id {{identity adjusting_invoices_pkey}},
    number TEXT NOT NULL CONSTRAINT adjusting_invoices_number_key UNIQUE,
    series TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    invoice_id BIGINT NOT NULL CONSTRAINT adjusting_invoices_invoice_fkey REFERENCES invoices (id),
    return_id BIGINT NOT NULL CONSTRAINT adjusting_invoices_return_key UNIQUE
        CONSTRAINT adjusting_invoices_return_fkey REFERENCES sales_returns (id),
    issue_date TEXT NOT NULL,
    total_net BIGINT NOT NULL,
    total_vat BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT adjusting_invoices_reduce CHECK (total_net <= 0 AND total_vat <= 0)
);

CREATE INDEX adjusting_invoices_invoice_idx ON adjusting_invoices (invoice_id);
