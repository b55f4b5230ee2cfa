/** The `.env` provider's inputs for the tests against real S3 servers. */
import { EnvFileInputs } from "../../components/envFile/provider";

/** Secret values the tests look for in messages (they must never appear). */
export const SECRET_VALUES = ["license-Zq8", "secret-Yx7"];

export function envFileInputs(overrides: Partial<EnvFileInputs> = {}, bucket = "cluster-bucket"): EnvFileInputs {
    return {
        bucket,
        key: ".env",
        region: "us-east-1",
        settings: { DOMAIN_OR_PUBLIC_IP: "ov.example.com", OPENVIDU_RECORDING: "true", OPENVIDU_CDR: "false" },
        secretSettings: { OPENVIDU_PRO_LICENSE: SECRET_VALUES[0], OPENVIDU_SECRET: SECRET_VALUES[1] },
        keyOrder: ["DOMAIN_OR_PUBLIC_IP", "OPENVIDU_PRO_LICENSE", "OPENVIDU_SECRET", "OPENVIDU_RECORDING", "OPENVIDU_CDR"],
        header: ["# seeded by the program"],
        deleteOnDestroy: false,
        ...overrides,
    };
}

