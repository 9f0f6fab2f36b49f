"""A synthetic person the walker signs up as: plausible enough for a form to accept, recognisable in traffic.

The values are chosen so that finding them in a request proves the page sent what was typed: the
mobile number is a valid-looking 11-digit number in the 170 block (virtual operators, rarely a real
person's primary number) with a fixed tail, the e-mail is at example.com (reserved by RFC 2606).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Persona(BaseModel):
    """What the walker types, per taxonomy category; `value_for` picks the value for a field."""

    model_config = ConfigDict(frozen=True)

    phone: str = "17000001234"
    name: str = "测试用户"
    nickname: str = "ceshi2026"
    email: str = "consentgate.test@example.com"
    password: str = "Cg-Test-2026!x"
    birth_year: int = 1990
    birth_date: str = "1990-01-01"
    age: str = "35"
    id_number: str = "11010519900101007X"  # checksum-valid form, fictitious
    address: str = "北京市测试区示例路1号"
    occupation: str = "工程师"
    interests: str = "阅读"
    verification_code: str = "000000"

    def value_for(self, category: str | None, input_type: str) -> str | None:
        """The value to type into a field of `category`; None for a field the walker leaves alone."""
        by_category = {
            "contact.phone": self.phone,
            "contact.email": self.email,
            "identity.name": self.name,
            "profile.nickname": self.nickname,
            "account.credentials": self.password,
            "identity.birth-date": self.birth_date if input_type == "date" else str(self.birth_year),
            "profile.age": self.age,
            "identity.document": self.id_number,
            "contact.address": self.address,
            "profile.occupation": self.occupation,
            "profile.interests": self.interests,
        }
        if category in by_category:
            return by_category[category]
        by_type = {"tel": self.phone, "email": self.email, "password": self.password}
        return by_type.get(input_type)

    def traceable(self) -> dict[str, str]:
        """The values whose appearance in a request means that data left the browser, by category."""
        return {
            "contact.phone": self.phone,
            "contact.email": self.email,
            "identity.name": self.name,
            "profile.nickname": self.nickname,
            "account.credentials": self.password,
            "identity.document": self.id_number,
            "contact.address": self.address,
            "identity.birth-date": self.birth_date,
        }


DEFAULT_PERSONA = Persona()
