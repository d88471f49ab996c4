"""One APIRouter per concern; :mod:`api.main` wires them."""
