export default function Home() {
  return (
    <main>
      <h1>Learning Assistant</h1>
      <p>The platform is up. Application features land here.</p>
    </main>
  );
}
