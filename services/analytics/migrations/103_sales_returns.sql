-- Returned goods from the accounting-warehouse feed, one row per return line, taken off the sales
-- report in the local month of the return (`month` YYYY-MM of `returned_on`, an ISO date). The
-- order number joins the order's customer group and salesperson at query time. Money is VND
-- without VAT unless named; amounts and quantities are positive (what came back).
CREATE TABLE sales_return_lines (
    return_id BIGINT NOT NULL,
    line_no INTEGER NOT NULL,
    number TEXT NOT NULL,
    returned_on TEXT NOT NULL,
    month TEXT NOT NULL,
    office TEXT NOT NULL,
    customer_id BIGINT NOT NULL,
    order_number TEXT NOT NULL,
    product_id BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    net_amount BIGINT NOT NULL,
    vat_amount BIGINT NOT NULL,
    CONSTRAINT sales_return_lines_pkey PRIMARY KEY (return_id, line_no)
);

CREATE INDEX sales_return_lines_returned_on_idx ON sales_return_lines (returned_on);
