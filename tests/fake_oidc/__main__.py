"""Run the fake FranceConnect provider by hand (see tests/fake_oidc/__init__.py)."""

import argparse
import time

from . import FakeOIDCProvider


def main():
    parser = argparse.ArgumentParser(description="Fournisseur OpenID Connect de test (A4).")
    parser.add_argument("--port", type=int, default=8016)
    parser.add_argument("--client-id", default="portail-demo")
    parser.add_argument("--client-secret", default="secret-demo")
    parser.add_argument("--redirect-uri", action="append", default=[])
    parser.add_argument("--interactive", action="store_true")
    args = parser.parse_args()
    provider = FakeOIDCProvider(
        client_id=args.client_id,
        client_secret=args.client_secret,
        redirect_uris=args.redirect_uri,
        port=args.port,
        interactive=args.interactive,
    ).start()
    print(f"Fournisseur OpenID de test sur {provider.issuer} (client {args.client_id})")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        provider.stop()


if __name__ == "__main__":
    main()
