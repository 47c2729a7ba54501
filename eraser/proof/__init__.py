"""The written proof of destruction: keys, signed certificates and their chain, the transparency log and its
witnesses, and the renderings (PDF) of a certificate for people."""
