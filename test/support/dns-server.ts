import dns2 from 'dns2';

const { Packet } = dns2;

/**
 * A small authoritative DNS server on UDP 127.0.0.1 (a free port), answering the TXT records a
 * test sets, NXDOMAIN for any other name: what the tenant service's resolver asks when a custom
 * domain is verified (TENANT_DOMAIN_DNS_SERVERS = `address`).
 */
export async function startTxtServer() {
  const records = new Map<string, string[]>();
  const asked: string[] = [];
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      const name = (question?.name ?? '').toLowerCase();
      asked.push(name);
      const values = records.get(name);
      if (!values) response.header.rcode = Packet.RCODE.NXDOMAIN;
      else if (question?.type === Packet.TYPE.TXT)
        for (const data of values)
          response.answers.push({
            name: question.name,
            type: Packet.TYPE.TXT,
            class: Packet.CLASS.IN,
            ttl: 1,
            data,
            // The package types an answer as its encoder class; a plain record is what it encodes.
          } as (typeof response.answers)[number]);
      void send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const port = addresses.udp?.port;
  if (!port) throw new Error('the test DNS server has no UDP port');
  return {
    /** `127.0.0.1:<port>`, as TENANT_DOMAIN_DNS_SERVERS takes it. */
    address: `127.0.0.1:${port}`,
    /** The names asked, lowercased, in order. */
    asked,
    /** Sets the TXT records of a name (an empty list: the name exists, without TXT records). */
    setTxt(name: string, values: string[]) {
      records.set(name.toLowerCase(), values);
    },
    remove(name: string) {
      records.delete(name.toLowerCase());
    },
    async close() {
      await server.close();
    },
  };
}

export type TxtServer = Awaited<ReturnType<typeof startTxtServer>>;
