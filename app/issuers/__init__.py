"""Issuing bodies (cơ quan/đơn vị cấp): the department or office that signs a course's certificates and papers."""
