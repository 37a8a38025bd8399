"""WS-Management client: SOAP envelopes, enumeration, transfer, invoke, CIM values, faults, auth."""
