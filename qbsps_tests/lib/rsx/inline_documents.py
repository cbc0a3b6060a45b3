"""Small RSX documents written for the tests (no SPS files needed)."""

from __future__ import annotations

ORDER_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Order>
  <Header>
    <OrderHeader>
      <TradingPartnerId>ACMETEST</TradingPartnerId>
      <PurchaseOrderNumber>PO-1001</PurchaseOrderNumber>
      <TsetPurposeCode>00</TsetPurposeCode>
      <PrimaryPOTypeCode>SA</PrimaryPOTypeCode>
      <PurchaseOrderDate>2024-03-01</PurchaseOrderDate>
      <Vendor>V42</Vendor>
      <BuyersCurrency>USD</BuyersCurrency>
    </OrderHeader>
    <PaymentTerms>
      <TermsType>01</TermsType>
      <TermsNetDueDays>30</TermsNetDueDays>
    </PaymentTerms>
    <Address>
      <AddressTypeCode>ST</AddressTypeCode>
      <AddressName>Store 7</AddressName>
      <City>Duluth</City>
    </Address>
    <ChargesAllowances>
      <AllowChrgIndicator>C</AllowChrgIndicator>
      <AllowChrgCode>D240</AllowChrgCode>
      <AllowChrgAmt>7.50</AllowChrgAmt>
    </ChargesAllowances>
    <FutureElement>kept as is</FutureElement>
  </Header>
  <LineItem>
    <OrderLine>
      <LineSequenceNumber>1</LineSequenceNumber>
      <VendorPartNumber>WIDGET-1</VendorPartNumber>
      <ConsumerPackageCode>859563003863</ConsumerPackageCode>
      <ProductID>
        <PartNumberQual>SK</PartNumberQual>
        <PartNumber>SKU-1</PartNumber>
      </ProductID>
      <OrderQty>3</OrderQty>
      <OrderQtyUOM>EA</OrderQtyUOM>
      <PurchasePrice>19.9999</PurchasePrice>
      <PurchasePriceBasis>PE</PurchasePriceBasis>
    </OrderLine>
    <ProductOrItemDescription>
      <ProductCharacteristicCode>08</ProductCharacteristicCode>
      <ProductDescription>Blue widget</ProductDescription>
    </ProductOrItemDescription>
  </LineItem>
  <LineItem>
    <OrderLine>
      <LineSequenceNumber>2</LineSequenceNumber>
      <VendorPartNumber>GADGET-2</VendorPartNumber>
      <OrderQty>2.5</OrderQty>
      <OrderQtyUOM>LB</OrderQtyUOM>
      <PurchasePrice>4.10</PurchasePrice>
    </OrderLine>
    <ChargesAllowances>
      <AllowChrgIndicator>A</AllowChrgIndicator>
      <AllowChrgPercent>10</AllowChrgPercent>
    </ChargesAllowances>
  </LineItem>
  <Summary>
    <TotalAmount>76.72</TotalAmount>
    <TotalLineItemNumber>2</TotalLineItemNumber>
  </Summary>
</Order>
"""
# 3 x 19.9999 = 59.9997; 2.5 x 4.10 = 10.250 less 10 % = 9.225; + 7.50 charge = 76.7247
ORDER_COMPUTED_TOTAL = "76.7247"

INVOICE_JSON = """{
  "Header": {
    "InvoiceHeader": {"TradingPartnerId": "ACMETEST", "InvoiceNumber": "INV-9", "InvoiceDate": "2024-03-05"}
  },
  "LineItem": [{"InvoiceLine": {"InvoiceQty": 3, "PurchasePrice": 19.9999}}],
  "Summary": {"TotalAmount": 59.9997}
}"""
