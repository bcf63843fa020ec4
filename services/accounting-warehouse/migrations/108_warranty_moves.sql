-- Warranty moves on single serial units (phiếu bảo hành: đổi hàng, nhận hàng lỗi, gửi trả nhà
-- cung cấp, nhận lại từ nhà cung cấp), numbered BHK-<year>-NNNN. move_ref is the caller's key for
-- the move: a retry finds the move already made. The sale columns carry, on a replacement, the
-- sale of the unit it stands in for, so the replacement's history names the customer and order.
CREATE TABLE warranty_moves (
    id {{identity warranty_moves_pkey}},
    number TEXT NOT NULL CONSTRAINT warranty_moves_number_key UNIQUE,
    move_ref TEXT NOT NULL CONSTRAINT warranty_moves_move_ref_key UNIQUE,
    kind TEXT NOT NULL,
    case_ref TEXT NOT NULL,
    product_id BIGINT NOT NULL,
    serial TEXT NOT NULL,
    other_serial TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    condition TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_cost BIGINT NOT NULL,
    reference TEXT NOT NULL,
    sale_body {{bytes}} NOT NULL,
    body {{bytes}} NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT warranty_moves_kind_known CHECK (kind IN
        ('replacement_issued', 'faulty_received', 'shipped_to_supplier', 'received_from_supplier')),
    CONSTRAINT warranty_moves_cost_positive CHECK (unit_cost >= 0)
);

CREATE INDEX warranty_moves_serial_idx ON warranty_moves (product_id, serial, id);
CREATE INDEX warranty_moves_other_serial_idx ON warranty_moves (product_id, other_serial, id);
