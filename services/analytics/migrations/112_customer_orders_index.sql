-- A confirmed order refreshes its customer's value from the customer's orders: without this
-- index every refresh read the whole table, so loading history slowed with the square of its
-- size (a 1,000,000-line history did not load in ten minutes).
CREATE INDEX sales_orders_customer_idx ON sales_orders (customer_id);
CREATE INDEX sales_return_lines_customer_idx ON sales_return_lines (customer_id);
